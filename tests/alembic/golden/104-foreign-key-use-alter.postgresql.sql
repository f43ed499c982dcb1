CREATE TABLE jm (
    id INTEGER NOT NULL, 
    job_id INTEGER, 
    message_id INTEGER, 
    PRIMARY KEY (id), 
    CONSTRAINT fk_jm_job_id FOREIGN KEY(job_id) REFERENCES jobs (id) ON DELETE CASCADE, 
    FOREIGN KEY(id) REFERENCES other (id)
);

