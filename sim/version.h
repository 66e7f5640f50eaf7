/* version.h - hpsim's version, printed by --version and stored in results. */
#ifndef HPSIM_VERSION_H
#define HPSIM_VERSION_H
#define HPSIM_VERSION "0.1.0"
#endif
