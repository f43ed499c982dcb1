CREATE TABLE t_long2 (
    id INTEGER NOT NULL, 
    c INTEGER, 
    PRIMARY KEY (id)
);

CREATE INDEX ix_explicit_abcdefghij_abcdefghij_abcdefghij_abcdefghij_abcdefghij ON t_long2 (c);
