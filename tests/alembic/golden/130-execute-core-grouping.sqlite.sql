UPDATE kind SET "Name"='a', "on"=0 WHERE (kind.id = 1 OR kind.id >= 7) AND kind."Name" IS NOT NULL;

DELETE FROM kind WHERE (kind.id < 2 OR kind.id > 9) AND kind."on" = 1 AND kind."Name" IS NOT NULL;

DELETE FROM kind WHERE kind.id <= 2 OR kind.id = kind.id OR kind."Name" IS NULL;

INSERT INTO kind (id, "on") VALUES (5, NULL);

