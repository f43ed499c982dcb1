# bulk_insert
op.bulk_insert(T1, [{"id": 1, "name": "a", "note": None}, {"id": 2, "name": "b'c", "note": "n"}])
