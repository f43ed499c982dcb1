CREATE TABLE t_enum (
    id INTEGER NOT NULL, 
    kind VARCHAR(1) NOT NULL, 
    PRIMARY KEY (id)
);

