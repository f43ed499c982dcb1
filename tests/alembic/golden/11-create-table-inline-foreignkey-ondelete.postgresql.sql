CREATE TABLE t2 (
    id SERIAL NOT NULL, 
    t1_id INTEGER NOT NULL, 
    ref2 INTEGER, 
    email VARCHAR(100), 
    slug VARCHAR(100), 
    PRIMARY KEY (id), 
    FOREIGN KEY(t1_id) REFERENCES t1 (id) ON DELETE CASCADE ON UPDATE CASCADE, 
    CONSTRAINT fk_t2_ref2 FOREIGN KEY(ref2) REFERENCES t1 (id), 
    UNIQUE (email)
);

CREATE INDEX ix_t2_slug ON t2 (slug);

