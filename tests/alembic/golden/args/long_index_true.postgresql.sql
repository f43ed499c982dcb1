CREATE TABLE t_abcdefghij_abcdefghij_abcdefghij (
    id SERIAL NOT NULL, 
    c_abcdefghij_abcdefghij_abcdefghij INTEGER, 
    PRIMARY KEY (id)
);

CREATE INDEX ix_t_abcdefghij_abcdefghij_abcdefghij_c_abcdefghij_abcd_0546 ON t_abcdefghij_abcdefghij_abcdefghij (c_abcdefghij_abcdefghij_abcdefghij);
