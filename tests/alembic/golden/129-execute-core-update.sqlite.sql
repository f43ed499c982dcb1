UPDATE token SET rollout_state='enrolled' WHERE token.rollout_state = '' OR token.rollout_state IS NULL;

UPDATE token SET n=4, active=1 WHERE token.n = 3 AND token.rollout_state != 'x';

DELETE FROM token WHERE token.n IS NOT NULL AND token.active = 0;

DELETE FROM token;

INSERT INTO token (rollout_state, n) VALUES ('it''s', 1);

UPDATE token SET n=token.n;

