/*
 * spark-licence - issue licence tokens (tests, support, later the collector).
 *
 *   spark-licence sign --key PEM --claims JSON-FILE [--out FILE]
 *   spark-licence keygen --out PEM [--pubout PEM]
 *   spark-licence pubkey --key PEM [--out FILE]
 *
 * Exit status: 0 done, 1 failed, 2 bad usage or unreadable file.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fw/err.h"
#include "fw/file.h"
#include "fw/zeroize.h"
#include "licence/licence.h"

#ifndef SPARK_LICENCE_VERSION
#define SPARK_LICENCE_VERSION "0.0.0"
#endif

enum { EXIT_FAILED = 1, EXIT_USAGE = 2 };

static void usage(FILE *f)
{
    fprintf(f, "usage: spark-licence sign --key PEM --claims JSON-FILE [--out FILE]\n"
               "       spark-licence keygen --out PEM [--pubout PEM]\n"
               "       spark-licence pubkey --key PEM [--out FILE]\n"
               "       spark-licence --help | --version\n"
               "\n"
               "sign    sign a claims JSON object as a JWS compact ES256 token\n"
               "keygen  make a new P-256 private key (PEM, mode 0600)\n"
               "pubkey  write the public half of a private key (PEM)\n");
}

/* A whole input file, not empty. NULL with a message on stderr. */
static char *read_input(const char *what, const char *path, size_t max, size_t *len)
{
    uint8_t *buf = NULL;
    int rc = fw_file_read(path, max, &buf, len);
    if (rc == 0 && *len == 0) {
        free(buf);
        fprintf(stderr, "spark-licence: %s '%s' is empty\n", what, path);
        return NULL;
    }
    if (rc != 0) {
        fprintf(stderr, "spark-licence: cannot read %s '%s': %s\n", what, path, fw_file_error(rc));
        return NULL;
    }
    return (char *)buf;
}

/* To stdout, or crash-atomically to `path` (a private key: mode 0600 from
 * the start, never readable by others for a moment). */
static int write_out(const char *path, const char *text, int private_mode)
{
    if (path == NULL) {
        if (fputs(text, stdout) < 0 || fflush(stdout) != 0) {
            fprintf(stderr, "spark-licence: write to stdout failed\n");
            return EXIT_FAILED;
        }
        return 0;
    }
    int rc = fw_file_write_atomic(path, text, strlen(text), private_mode ? 0600 : 0644);
    if (rc != 0) {
        fprintf(stderr, "spark-licence: cannot write '%s': %s\n", path, fw_file_error(rc));
        return EXIT_USAGE;
    }
    return 0;
}

static int load_key(const char *path, licence_key_t *k)
{
    size_t len = 0;
    char *pem = read_input("key", path, LICENCE_PEM_MAX, &len);
    if (pem == NULL) {
        mbedtls_pk_init(&k->pk);
        mbedtls_entropy_init(&k->entropy);
        mbedtls_ctr_drbg_init(&k->drbg);
        return EXIT_USAGE;
    }
    int rc = licence_key_load(k, pem, len);
    fw_zeroize(pem, len);
    free(pem);
    if (rc != 0) {
        fprintf(stderr, "spark-licence: '%s' is not a P-256 private key (%s)\n", path,
                fw_strerror(rc));
        return EXIT_USAGE;
    }
    return 0;
}

typedef struct {
    const char *key, *claims, *out, *pubout;
} opts_t;

static int parse(int argc, char **argv, opts_t *o)
{
    static const struct option longopts[] = {
        {"key", required_argument, NULL, 'k'}, {"claims", required_argument, NULL, 'c'},
        {"out", required_argument, NULL, 'o'}, {"pubout", required_argument, NULL, 'p'},
        {"help", no_argument, NULL, 'h'},      {NULL, 0, NULL, 0},
    };
    memset(o, 0, sizeof *o);
    optind = 1;
    opterr = 0;
    int ch;
    while ((ch = getopt_long(argc, argv, ":h", longopts, NULL)) != -1) {
        switch (ch) {
        case 'k': o->key = optarg; break;
        case 'c': o->claims = optarg; break;
        case 'o': o->out = optarg; break;
        case 'p': o->pubout = optarg; break;
        case 'h': usage(stdout); return -1;
        case ':':
            fprintf(stderr, "spark-licence: option '%s' needs a value\n", argv[optind - 1]);
            return EXIT_USAGE;
        default:
            fprintf(stderr, "spark-licence: unknown option '%s'\n", argv[optind - 1]);
            return EXIT_USAGE;
        }
    }
    if (optind != argc) {
        fprintf(stderr, "spark-licence: unexpected argument '%s'\n", argv[optind]);
        return EXIT_USAGE;
    }
    return 0;
}

static int cmd_sign(const opts_t *o)
{
    if (o->key == NULL || o->claims == NULL) {
        fprintf(stderr, "spark-licence sign: needs --key PEM and --claims JSON-FILE\n");
        return EXIT_USAGE;
    }
    licence_key_t k;
    int rc = load_key(o->key, &k);
    if (rc != 0) {
        licence_key_free(&k);
        return rc;
    }
    size_t len = 0;
    char *claims = read_input("claims", o->claims, LICENCE_TOKEN_MAX, &len);
    if (claims == NULL) {
        licence_key_free(&k);
        return EXIT_USAGE;
    }
    static char token[LICENCE_TOKEN_MAX + 2];
    size_t tlen = 0;
    rc = licence_sign_claims(&k, claims, len, token, sizeof token - 1, &tlen);
    free(claims);
    licence_key_free(&k);
    if (rc != 0) {
        fprintf(stderr, "spark-licence sign: %s: %s\n", o->claims,
                rc == FW_E_FORMAT ? "not a JSON object" : fw_strerror(rc));
        return rc == FW_E_FORMAT ? EXIT_USAGE : EXIT_FAILED;
    }
    token[tlen] = '\n';
    token[tlen + 1] = '\0';
    return write_out(o->out, token, 0);
}

static int cmd_keygen(const opts_t *o)
{
    if (o->out == NULL) {
        fprintf(stderr, "spark-licence keygen: needs --out PEM\n");
        return EXIT_USAGE;
    }
    licence_key_t k;
    char pem[LICENCE_PEM_MAX];
    int rc = licence_key_generate(&k);
    if (rc == 0) {
        rc = licence_key_write_private_pem(&k, pem, sizeof pem);
    }
    if (rc == 0) {
        rc = write_out(o->out, pem, 1);
        fw_zeroize(pem, sizeof pem);
        if (rc == 0 && o->pubout != NULL) {
            rc = licence_key_write_public_pem(&k, pem, sizeof pem);
            rc = rc == 0 ? write_out(o->pubout, pem, 0) : rc;
        }
    }
    licence_key_free(&k);
    if (rc < 0) {
        fprintf(stderr, "spark-licence keygen: %s\n", fw_strerror(rc));
        return EXIT_FAILED;
    }
    return rc;
}

static int cmd_pubkey(const opts_t *o)
{
    if (o->key == NULL) {
        fprintf(stderr, "spark-licence pubkey: needs --key PEM\n");
        return EXIT_USAGE;
    }
    licence_key_t k;
    int rc = load_key(o->key, &k);
    char pem[LICENCE_PEM_MAX];
    if (rc == 0) {
        rc = licence_key_write_public_pem(&k, pem, sizeof pem);
        rc = rc == 0 ? write_out(o->out, pem, 0) : EXIT_FAILED;
    }
    licence_key_free(&k);
    return rc;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return EXIT_USAGE;
    }
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        usage(stdout);
        return 0;
    }
    if (strcmp(argv[1], "--version") == 0) {
        printf("spark-licence %s\n", SPARK_LICENCE_VERSION);
        return 0;
    }
    static const struct {
        const char *name;
        int (*run)(const opts_t *o);
    } cmds[] = {{"sign", cmd_sign}, {"keygen", cmd_keygen}, {"pubkey", cmd_pubkey}};
    for (size_t i = 0; i < sizeof cmds / sizeof cmds[0]; i++) {
        if (strcmp(argv[1], cmds[i].name) == 0) {
            opts_t o;
            int rc = parse(argc - 1, argv + 1, &o);
            if (rc != 0) {
                return rc < 0 ? 0 : rc;
            }
            return cmds[i].run(&o);
        }
    }
    fprintf(stderr, "spark-licence: unknown command '%s'\n", argv[1]);
    usage(stderr);
    return EXIT_USAGE;
}
