CREATE TABLE file (
    id TEXT NOT NULL, 
    storage TEXT NOT NULL, 
    location TEXT NOT NULL, 
    PRIMARY KEY (id)
);

CREATE UNIQUE INDEX idx_file_location_in_storage ON file (storage, location);

CREATE TABLE owner (
    file_id TEXT NOT NULL, 
    owner_type TEXT NOT NULL, 
    PRIMARY KEY (file_id)
);

CREATE INDEX idx_owner_owner ON owner (owner_type, lower(file_id));

