CREATE TABLE pi_acct (
    id SERIAL NOT NULL, 
    email VARCHAR(50), 
    name VARCHAR(50), 
    PRIMARY KEY (id)
);

CREATE INDEX ix_pi_email ON pi_acct (email) INCLUDE (id);

CREATE UNIQUE INDEX ix_pi_name ON pi_acct (name) INCLUDE (id, email);

CREATE INDEX ix_pi_id_name ON pi_acct (id, name);
