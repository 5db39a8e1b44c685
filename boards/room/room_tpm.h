/*
 * room_tpm.h - what the TPM back end (room_secure_tpm.c) shares with its
 * tests: the storage primary key's template, so a test acting as root on the
 * same TPM makes the very same parent key.
 */
#ifndef ROOM_TPM_H
#define ROOM_TPM_H

#include <tss2/tss2_tpm2_types.h>

/* The owner hierarchy's storage primary key (ECC P-256, AES-128-CFB). */
void room_tpm_srk_template(TPM2B_PUBLIC *pub);

#endif /* ROOM_TPM_H */
