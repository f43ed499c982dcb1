CREATE TABLE t_enum2 (
    id INTEGER NOT NULL, 
    kind VARCHAR(1), 
    flag BOOLEAN, 
    PRIMARY KEY (id), 
    CONSTRAINT t_enum2_kind CHECK (kind IN ('a', 'b')), 
    CONSTRAINT ck_t_enum2_flag CHECK (flag IN (0, 1))
);

