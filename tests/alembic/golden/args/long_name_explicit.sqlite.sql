CREATE TABLE t_long (
    id INTEGER NOT NULL, 
    c INTEGER, 
    PRIMARY KEY (id)
);

CREATE INDEX ix_abcdefghij_abcdefghij_abcdefghij_abcdefghij_abcdefghij_abcdefghij ON t_long (c);
