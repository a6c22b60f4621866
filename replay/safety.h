/* safety.h - which SCSI commands may change a device's medium, configuration or firmware, and which are vendor-specific (the replay's safety gate). */
#ifndef SCSISCOPE_REPLAY_SAFETY_H
#define SCSISCOPE_REPLAY_SAFETY_H

#include <stddef.h>
#include <stdint.h>

enum rp_risk {
	RISK_NONE = 0,
	RISK_WRITE,               /* changes the medium, the configuration or the firmware: --allow-writes */
	RISK_VENDOR,              /* vendor-specific opcode (C0h-FFh): --allow-vendor */
};

/* Classify a CDB; *why (never NULL when a risk is returned) names the
 * command ("WRITE(10)", "MODE SELECT(10)", "vendor-specific opcode C0h"). */
enum rp_risk rp_cdb_risk(const uint8_t *cdb, size_t len, const char **why);

/* Raw bytes a replay would write to the bulk-out / command pipe: a valid
 * CBW (BOT 5.1) or Command IU (UAS 6.2.2) inside is classified as its CDB. */
enum rp_risk rp_raw_risk(const uint8_t *buf, size_t len, const char **why);

#endif
