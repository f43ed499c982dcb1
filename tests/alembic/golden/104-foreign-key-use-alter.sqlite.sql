CREATE TABLE jm (
    id INTEGER NOT NULL, 
    job_id INTEGER, 
    message_id INTEGER, 
    PRIMARY KEY (id), 
    CONSTRAINT fk_jm_job_id FOREIGN KEY(job_id) REFERENCES jobs (id) ON DELETE CASCADE, 
    CONSTRAINT fk_jm_message_id FOREIGN KEY(message_id) REFERENCES messages (id) ON DELETE CASCADE, 
    FOREIGN KEY(id) REFERENCES other (id)
);

