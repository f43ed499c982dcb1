CREATE TABLE t_long (
    id SERIAL NOT NULL, 
    c INTEGER, 
    PRIMARY KEY (id), 
    CONSTRAINT uq_abcdefghij_abcdefghij_abcdefghij_abcdefghij_abcdefgh_ef03 UNIQUE (c)
);

CREATE INDEX ix_abcdefghij_abcdefghij_abcdefghij_abcdefghij_abcdefgh_042f ON t_long (c);

DROP INDEX ix_abcdefghij_abcdefghij_abcdefghij_abcdefghij_abcdefgh_042f;
