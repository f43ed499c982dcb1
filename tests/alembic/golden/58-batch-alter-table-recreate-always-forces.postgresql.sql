CREATE TABLE _alembic_tmp_t1 (
    id SERIAL NOT NULL, 
    name VARCHAR(50) NOT NULL, 
    note VARCHAR(50), 
    code VARCHAR(20), 
    other_id INTEGER, 
    extra INTEGER, 
    PRIMARY KEY (id)
);

INSERT INTO _alembic_tmp_t1 (id, name, note, code, other_id) SELECT t1.id, t1.name, t1.note, t1.code, t1.other_id 
FROM t1;

DROP TABLE t1;

ALTER TABLE _alembic_tmp_t1 RENAME TO t1;

