CREATE TABLE _alembic_tmp_t1 (
    id INTEGER NOT NULL, 
    name VARCHAR(50) NOT NULL, 
    note VARCHAR(50), 
    code VARCHAR(20), 
    other_id INTEGER, 
    PRIMARY KEY (id), 
    CONSTRAINT fk_t1_other FOREIGN KEY(other_id) REFERENCES t2 (id), 
    CONSTRAINT uq_t1_code UNIQUE (code)
);

INSERT INTO _alembic_tmp_t1 (id, name, note, code, other_id) SELECT t1.id, t1.name, t1.note, t1.code, t1.other_id 
FROM t1;

DROP TABLE t1;

ALTER TABLE _alembic_tmp_t1 RENAME TO t1;

