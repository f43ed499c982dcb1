DROP TABLE myschema.t4;

