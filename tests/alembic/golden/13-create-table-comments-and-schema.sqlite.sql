CREATE TABLE myschema.t4 (
    id INTEGER NOT NULL, 
    PRIMARY KEY (id)
);

