/* uas_tables.h - UAS IU IDs and the names of Task Management functions and Response IU codes; private to decode/, its front ends and replay/. */
#ifndef SCSISCOPE_DECODE_UAS_TABLES_H
#define SCSISCOPE_DECODE_UAS_TABLES_H

#include <stddef.h>
#include <stdint.h>

/* IU IDs, byte 0 of every IU (UAS rev 1.0 6.2.1 Table 11). */
#define UAS_IU_COMMAND 0x01
#define UAS_IU_SENSE 0x03
#define UAS_IU_RESPONSE 0x04
#define UAS_IU_TASK_MGMT 0x05
#define UAS_IU_READ_READY 0x06
#define UAS_IU_WRITE_READY 0x07

struct uas_name {
	uint8_t code;
	const char *name;
};

/* Task Management IU byte 4 (UAS rev 1.0 6.2.3 / T10 UAS-2 6.2.3). */
extern const struct uas_name uas_tm_functions[];
extern const size_t uas_tm_functions_count;
/* Response IU byte 7 (UAS rev 1.0 6.2.5 / T10 UAS-2 6.2.5). */
extern const struct uas_name uas_response_codes[];
extern const size_t uas_response_codes_count;

/* Name of a Task Management function / Response IU code; NULL when reserved. */
const char *uas_tm_function_name(uint8_t code);
const char *uas_response_code_name(uint8_t code);

#endif
