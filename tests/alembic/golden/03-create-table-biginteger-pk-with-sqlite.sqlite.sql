CREATE TABLE t_big2 (
    id INTEGER NOT NULL, 
    PRIMARY KEY (id)
);

