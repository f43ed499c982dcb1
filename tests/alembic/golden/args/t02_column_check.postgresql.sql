CREATE TABLE g (
    id SERIAL NOT NULL, 
    e INTEGER NOT NULL CONSTRAINT ck_e CHECK (e > 0), 
    PRIMARY KEY (id)
);

CREATE TABLE h (
    id SERIAL NOT NULL, 
    f VARCHAR(10) DEFAULT 'x' CHECK (f <> '') DEFERRABLE INITIALLY DEFERRED, 
    PRIMARY KEY (id)
);

ALTER TABLE g ADD COLUMN extras JSON CONSTRAINT g_flat_extras CHECK (
        json_type(extras) = 'object'
        );
