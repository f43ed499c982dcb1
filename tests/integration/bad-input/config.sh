# strata.yaml and the URL: refused before any database is opened.
case_dir config-unknown-key
make_project 1
echo 'colour: blue' >>strata.yaml
refused "unknown top-level key" 1 "strata: error: strata.yaml:7:1: unknown key 'colour' (hint: known keys: database, sources, order, merge, plugin_path, lock_timeout, session)" apply
