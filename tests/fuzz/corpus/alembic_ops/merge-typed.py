revision: str = "ae1027a6acf"
down_revision: Union[str, Sequence[str], None] = ("a1", "b2")
branch_labels = ("feature",)
depends_on = ["x9"]

def upgrade() -> None:
    pass

def downgrade() -> None:
    pass
