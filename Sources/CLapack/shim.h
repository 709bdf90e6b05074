// The single C boundary of leadcal: CBLAS (OpenBLAS) and LAPACKE.
// Swift code above this module calls these functions through the typed
// wrappers in LeadcalCalibration/LinearAlgebra; nothing else imports it.
//
// `lapack_int` is a macro (int32 on Debian's LP64 build), which Swift cannot
// see: the functions below are imported with the expanded type `Int32`.
#ifndef LEADCAL_CLAPACK_SHIM_H
#define LEADCAL_CLAPACK_SHIM_H

#include <cblas.h>
#include <lapacke.h>

// OpenBLAS's thread-count controls (declared in OpenBLAS's own cblas.h; repeated
// here so the shim also builds against a generic cblas.h).
void openblas_set_num_threads(int num_threads);
int openblas_get_num_threads(void);

#endif
