CREATE TABLE t_long (
    id INTEGER NOT NULL, 
    c INTEGER, 
    PRIMARY KEY (id), 
    CONSTRAINT uq_abcdefghij_abcdefghij_abcdefghij_abcdefghij_abcdefghij_abcdefghij_x UNIQUE (c)
);

CREATE INDEX ix_abcdefghij_abcdefghij_abcdefghij_abcdefghij_abcdefghij_abcdefghij ON t_long (c);

DROP INDEX ix_abcdefghij_abcdefghij_abcdefghij_abcdefghij_abcdefghij_abcdefghij;
