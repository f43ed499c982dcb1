CREATE TABLE di_acct (
    id INTEGER NOT NULL, 
    email VARCHAR(50), 
    PRIMARY KEY (id)
);

CREATE INDEX ix_di_email ON di_acct (email);

DROP INDEX ix_di_email;

CREATE INDEX ix_di_email2 ON di_acct (email);

DROP INDEX ix_di_email2;

CREATE INDEX ix_di_id ON di_acct (id);

DROP INDEX ix_di_id;
