CREATE TABLE acct (
    id INTEGER NOT NULL, 
    email VARCHAR(50), 
    PRIMARY KEY (id)
);

CREATE INDEX ix_acct_email ON acct (email);

DROP INDEX ix_acct_email;

CREATE INDEX ix_acct_email2 ON acct (email);

DROP INDEX ix_acct_email2;
