// libFuzzer's driver, for fuzz targets that bring their own main (SwiftPM
// names an executable's entry point <Module>_main; it hands over to this).
#ifndef LEADCAL_FUZZ_DRIVER_H
#define LEADCAL_FUZZ_DRIVER_H
#include <stddef.h>
#include <stdint.h>
int LLVMFuzzerRunDriver(int *argc, char ***argv, int (*callback)(const uint8_t *data, size_t size));
#endif
