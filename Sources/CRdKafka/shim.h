// librdkafka's public headers, including the in-process mock cluster API
// (used for the embedded cluster and fault injection in tests).
#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>
