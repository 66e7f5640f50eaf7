/*
 * trace_zlib.c - a zlib codec for libtracecmd, so zlib-compressed trace.dat
 * files (trace-cmd >= 3.0 built with zlib, e.g. the public HIP24 captures)
 * read with Debian's libtracecmd 3.1.6, which is built with zstd only.
 *
 * tracecmd_compress_proto_register() is exported by libtracecmd.so.1 but not
 * declared in the installed <trace-cmd.h> (it lives in the private
 * trace-cmd-private.h), so the struct and prototype are declared here.
 * Layout checked against trace-cmd-private.h of 3.1.x and the 3.1.6 machine
 * code of the function (offsets 0 weight, 8 name, 16 version, 24 compress,
 * 32 uncompress, 40 compress_size, 48 is_supported, 56 new_context,
 * 64 free_context). Block hooks return the output byte count, -1 on error.
 */
#include <stdbool.h>
#include <string.h>
#include <zlib.h>

#include "trace_private.h"

struct tracecmd_compression_proto {
    int weight;
    const char *name;
    const char *version;
    int (*compress)(void *ctx, const void *in, int in_bytes, void *out, int out_bytes);
    int (*uncompress)(void *ctx, const void *in, int in_bytes, void *out,
                      int out_bytes);
    unsigned int (*compress_size)(void *ctx, unsigned int bytes);
    bool (*is_supported)(const char *name, const char *version);
    void *(*new_context)(void);
    void (*free_context)(void *ctx);
};

int tracecmd_compress_proto_register(struct tracecmd_compression_proto *proto);
bool tracecmd_compress_is_supported(const char *name, const char *version);

static int zlib_compress_block(void *ctx, const void *in, int in_bytes, void *out,
                               int out_bytes)
{
    uLongf olen = (uLongf)out_bytes;

    (void)ctx;
    if (compress2(out, &olen, in, (uLong)in_bytes, Z_DEFAULT_COMPRESSION) != Z_OK)
        return -1;
    return (int)olen;
}

static int zlib_uncompress_block(void *ctx, const void *in, int in_bytes, void *out,
                                 int out_bytes)
{
    uLongf olen = (uLongf)out_bytes;

    (void)ctx;
    if (uncompress(out, &olen, in, (uLong)in_bytes) != Z_OK)
        return -1;
    return (int)olen;
}

static unsigned int zlib_bound(void *ctx, unsigned int bytes)
{
    (void)ctx;
    return (unsigned int)compressBound(bytes);
}

/* Any zlib stream version decodes with any zlib >= 1.0: accept all. */
static bool zlib_supported(const char *name, const char *version)
{
    (void)version;
    return name && strcmp(name, "zlib") == 0;
}

int trace_zlib_register(void)
{
    static int done;
    static struct tracecmd_compression_proto proto = {
        .weight = 10, /* trace-cmd's own zlib weight; lower is preferred */
        .name = "zlib",
        .compress = zlib_compress_block,
        .uncompress = zlib_uncompress_block,
        .compress_size = zlib_bound,
        .is_supported = zlib_supported,
    };

    if (done)
        return 0;
    done = 1;
    proto.version = zlibVersion();
    if (tracecmd_compress_proto_register(&proto) == 0)
        return 0;
    /* Refused: fine if a zlib codec was there already (a zlib-enabled build). */
    return tracecmd_compress_is_supported(proto.name, proto.version) ? 0 : -1;
}
