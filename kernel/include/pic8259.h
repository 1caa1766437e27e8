/* The PC's legacy pair of 8259A interrupt controllers, only to be silenced once the
 * APICs take over. */
#ifndef PIC8259_H
#define PIC8259_H

#include <stdint.h>

/* Re-initialise both PICs with their vectors at master_vector and slave_vector (so that
 * a stray one cannot look like an exception), then mask every input. */
void pic8259_disable(uint8_t master_vector, uint8_t slave_vector);

#endif
