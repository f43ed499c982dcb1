CREATE TABLE t2 (
    id INTEGER NOT NULL, 
    PRIMARY KEY (id)
);

CREATE TABLE t3 (
    id INTEGER NOT NULL, 
    PRIMARY KEY (id)
);

UPDATE t1 SET code = 'a' WHERE id = 1;

UPDATE t1 SET code = 'b' WHERE id = 2;

