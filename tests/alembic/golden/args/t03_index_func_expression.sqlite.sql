CREATE UNIQUE INDEX idx_only_one_active_email_no_case ON user (lower(email));

CREATE INDEX idx_y ON t (coalesce(a, b), c, upper("Em"));
