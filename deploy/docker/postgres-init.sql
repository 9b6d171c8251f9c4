-- The integration tests use their own database, as with deploy/local/infra.sh.
CREATE DATABASE iot_test OWNER iot;
