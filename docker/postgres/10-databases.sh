#!/bin/sh
# Two databases on one PostgreSQL server, each with its own login: Rasa's tracker store
# (TRACKER_DATABASE_URL) and the record (DATABASE_URL). Run once, by the postgres image,
# when its data folder is empty (/docker-entrypoint-initdb.d).
set -eu
: "${TRACKER_DB_PASSWORD:?set TRACKER_DB_PASSWORD}"
: "${RECORD_DB_PASSWORD:?set RECORD_DB_PASSWORD}"

psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "${POSTGRES_DB:-$POSTGRES_USER}" \
     -v tracker_pw="$TRACKER_DB_PASSWORD" -v record_pw="$RECORD_DB_PASSWORD" <<'SQL'
CREATE ROLE tracker LOGIN PASSWORD :'tracker_pw';
CREATE ROLE record LOGIN PASSWORD :'record_pw';
CREATE DATABASE tracker OWNER tracker;
CREATE DATABASE record OWNER record;
-- Each login reaches its own database only.
REVOKE ALL ON DATABASE tracker FROM PUBLIC;
REVOKE ALL ON DATABASE record FROM PUBLIC;
-- The tracker store is read and written inside each turn: a hung query must fail fast, so the
-- Rasa server keeps the conversation in its journal and tells the person, instead of hanging.
ALTER ROLE tracker SET statement_timeout = '15s';
ALTER ROLE tracker SET idle_in_transaction_session_timeout = '60s';
ALTER ROLE record SET idle_in_transaction_session_timeout = '60s';
SQL
