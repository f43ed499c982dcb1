CREATE TABLE myschema.t4 (
    id SERIAL NOT NULL, 
    PRIMARY KEY (id)
);

COMMENT ON TABLE myschema.t4 IS 'a commented table';

COMMENT ON COLUMN myschema.t4.id IS 'row id';

