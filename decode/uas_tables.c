/* uas_tables.c - UAS Task Management function and Response IU code names (data only). */
#include "config.h"

#include "decode/uas_tables.h"

/*
 * From USB Attached SCSI Protocol (UASP) rev 1.0, 6.2.3 (Task Management
 * IU, table "task management function") and 6.2.5 (Response IU, table
 * "response code"); the same values are in T10 UAS-2 and SAM-5 7.
 */
const struct uas_name uas_tm_functions[] = {
	{ 0x01, "ABORT TASK" },
	{ 0x02, "ABORT TASK SET" },
	{ 0x04, "CLEAR TASK SET" },
	{ 0x08, "LOGICAL UNIT RESET" },
	{ 0x10, "I_T NEXUS RESET" },
	{ 0x40, "CLEAR ACA" },
	{ 0x80, "QUERY TASK" },
	{ 0x81, "QUERY TASK SET" },
	{ 0x82, "QUERY ASYNCHRONOUS EVENT" },
};
const size_t uas_tm_functions_count = sizeof(uas_tm_functions) / sizeof(uas_tm_functions[0]);

const struct uas_name uas_response_codes[] = {
	{ 0x00, "TASK MANAGEMENT FUNCTION COMPLETE" },
	{ 0x02, "INVALID INFORMATION UNIT" },
	{ 0x04, "TASK MANAGEMENT FUNCTION NOT SUPPORTED" },
	{ 0x05, "TASK MANAGEMENT FUNCTION FAILED" },
	{ 0x08, "TASK MANAGEMENT FUNCTION SUCCEEDED" },
	{ 0x09, "INCORRECT LOGICAL UNIT NUMBER" },
	{ 0x0a, "OVERLAPPED TAG ATTEMPTED" },
};
const size_t uas_response_codes_count = sizeof(uas_response_codes) / sizeof(uas_response_codes[0]);
