CREATE TABLE dev (
    id INTEGER NOT NULL, 
    a INTEGER, 
    b INTEGER, 
    PRIMARY KEY (id)
);

CREATE INDEX ix_dev_a ON dev (a);

CREATE INDEX ix_dev_b ON dev (b);

