CREATE TABLE g (
    id SERIAL NOT NULL, 
    e INTEGER NOT NULL CONSTRAINT ck_e CHECK (e > 0), 
    PRIMARY KEY (id)
);

CREATE TABLE h (
    id SERIAL NOT NULL, 
    f VARCHAR(10) DEFAULT 'x' CHECK (f <> ''), 
    PRIMARY KEY (id)
);

ALTER TABLE g ADD COLUMN extras VARCHAR(20) CONSTRAINT g_flat_extras CHECK (
        length(extras) > 1
        );
