CREATE TABLE acct (
    id SERIAL NOT NULL, 
    email VARCHAR(50), 
    name VARCHAR(50), 
    PRIMARY KEY (id)
);

CREATE INDEX ix_acct_email ON acct (email) INCLUDE (id);

CREATE UNIQUE INDEX ix_acct_name ON acct (name) INCLUDE (id, email);

CREATE INDEX ix_acct_id_name ON acct (id, name);
