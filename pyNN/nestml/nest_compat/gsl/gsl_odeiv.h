/* The GSL odeiv (version 1) interface NESTML's generated numeric-solver code calls; the
   definitions live in the GSL that the NEST wheel bundles. */
#ifndef PYNN_COMPAT_GSL_ODEIV_H
#define PYNN_COMPAT_GSL_ODEIV_H
#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct
{
  int ( *function )( double t, const double y[], double dydt[], void* params );
  int ( *jacobian )( double t, const double y[], double* dfdy, double dfdt[], void* params );
  size_t dimension;
  void* params;
} gsl_odeiv_system;

typedef struct gsl_odeiv_step_type_struct gsl_odeiv_step_type;
typedef struct gsl_odeiv_step_struct gsl_odeiv_step;
typedef struct gsl_odeiv_control_struct gsl_odeiv_control;
typedef struct gsl_odeiv_evolve_struct gsl_odeiv_evolve;

extern const gsl_odeiv_step_type* gsl_odeiv_step_rkf45;
extern const gsl_odeiv_step_type* gsl_odeiv_step_rk4;
extern const gsl_odeiv_step_type* gsl_odeiv_step_rkck;
extern const gsl_odeiv_step_type* gsl_odeiv_step_rk8pd;

gsl_odeiv_step* gsl_odeiv_step_alloc( const gsl_odeiv_step_type* T, size_t dim );
int gsl_odeiv_step_reset( gsl_odeiv_step* s );
void gsl_odeiv_step_free( gsl_odeiv_step* s );

gsl_odeiv_control* gsl_odeiv_control_y_new( double eps_abs, double eps_rel );
gsl_odeiv_control* gsl_odeiv_control_standard_new( double eps_abs, double eps_rel, double a_y, double a_dydt );
int gsl_odeiv_control_init( gsl_odeiv_control* c, double eps_abs, double eps_rel, double a_y, double a_dydt );
void gsl_odeiv_control_free( gsl_odeiv_control* c );

gsl_odeiv_evolve* gsl_odeiv_evolve_alloc( size_t dim );
int gsl_odeiv_evolve_apply( gsl_odeiv_evolve* e,
  gsl_odeiv_control* con,
  gsl_odeiv_step* step,
  const gsl_odeiv_system* dydt,
  double* t,
  double t1,
  double* h,
  double y[] );
int gsl_odeiv_evolve_reset( gsl_odeiv_evolve* e );
void gsl_odeiv_evolve_free( gsl_odeiv_evolve* e );

#ifdef __cplusplus
}
#endif
#endif
