CREATE TABLE t_abcdefghij_abcdefghij_abcdefghij (
    id INTEGER NOT NULL, 
    c_abcdefghij_abcdefghij_abcdefghij INTEGER, 
    PRIMARY KEY (id)
);

CREATE INDEX ix_t_abcdefghij_abcdefghij_abcdefghij_c_abcdefghij_abcdefghij_abcdefghij ON t_abcdefghij_abcdefghij_abcdefghij (c_abcdefghij_abcdefghij_abcdefghij);
