#!/bin/sh
# First start of the compose PostgreSQL: one database and one owner per service, each service
# reaching only its own (the passwords come from deploy/.env through the container's environment).
set -eu
for service in intake review registry; do
  var="WENPING_$(echo "$service" | tr a-z A-Z)_DB_PASSWORD"
  password=$(printenv "$var")
  psql -v ON_ERROR_STOP=1 --username postgres --dbname postgres \
       -v role="wenping_$service" -v password="$password" <<'SQL'
CREATE ROLE :"role" LOGIN PASSWORD :'password';
CREATE DATABASE :"role" OWNER :"role";
REVOKE ALL ON DATABASE :"role" FROM PUBLIC;
SQL
done
