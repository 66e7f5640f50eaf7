/*
 * fuzz_config.c - libFuzzer harness for the config loader: arbitrary bytes as
 * a config file, then the whole check (sim_spec_load). Every input must end in
 * success or a one-line hp_error, never a crash, a sanitizer report or a hang.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "sim.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static char path[64];
    if (!path[0])
        snprintf(path, sizeof path, "/tmp/hpsim-fuzz-config-%d.json", (int)getpid());
    FILE *f = fopen(path, "w");
    if (!f)
        return 0;
    fwrite(data, 1, size, f);
    fclose(f);
    struct hp_error err = {0};
    json_t *root = cfg_load(path, NULL, 0, &err);
    if (!root)
        return 0;
    struct sim_spec spec;
    if (sim_spec_load(root, path, NULL, &spec, &err) != 0 && memchr(err.msg, '\n', strlen(err.msg)))
        __builtin_trap();   /* not reached: errors are one line */
    sim_spec_free(&spec);
    return 0;
}
