# an if on what strata cannot know: named, never guessed
if settings.not_given:
    op.drop_table("t1")
