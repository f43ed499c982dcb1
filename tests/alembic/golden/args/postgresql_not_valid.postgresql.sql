CREATE TABLE nv_acct (
    id SERIAL NOT NULL, 
    PRIMARY KEY (id)
);

CREATE TABLE nv_ref (
    id SERIAL NOT NULL, 
    acct_id INTEGER, 
    PRIMARY KEY (id)
);

ALTER TABLE nv_ref ADD CONSTRAINT fk_nv_ref_acct FOREIGN KEY(acct_id) REFERENCES nv_acct (id) ON DELETE CASCADE NOT VALID;

ALTER TABLE nv_ref ADD CONSTRAINT ck_nv_pos CHECK (acct_id > 0) NOT VALID;

ALTER TABLE nv_ref ADD CONSTRAINT ck_nv_pos2 CHECK (acct_id < 100);
