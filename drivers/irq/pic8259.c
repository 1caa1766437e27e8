/*
 * The PC's two cascaded 8259A PICs (Intel 8259A datasheet, "Initialization Command
 * Words" and "Operation Command Words"). With the APICs in charge they are only
 * silenced: re-initialised so that their vectors are out of the exceptions' way, then
 * every input masked. Firmware may leave them in any state, vectors 8-15 (which would
 * look like exceptions) included.
 */
#include "arch.h"
#include "pic8259.h"

#define PIC_MASTER_CMD	0x20
#define PIC_MASTER_DATA 0x21
#define PIC_SLAVE_CMD	0xa0
#define PIC_SLAVE_DATA	0xa1

#define ICW1_INIT	      0x10 /* start the initialization sequence */
#define ICW1_ICW4	      0x01 /* an ICW4 follows */
#define ICW3_MASTER_SLAVE_IR2 0x04 /* master: a slave is wired to input 2 */
#define ICW3_SLAVE_ID_2	      0x02 /* slave: its cascade identity is 2 */
#define ICW4_8086	      0x01 /* 8086 mode: the PIC supplies the vector */
#define OCW1_MASK_ALL	      0xff

/* The POST diagnostic port: writing there takes about 1 us on a PC, the settling time
 * old PICs need between initialization words. */
#define IO_DELAY_PORT 0x80

static void pic_write(uint16_t port, uint8_t v)
{
	arch_pio_write8(port, v);
	arch_pio_write8(IO_DELAY_PORT, 0);
}

void pic8259_disable(uint8_t master_vector, uint8_t slave_vector)
{
	pic_write(PIC_MASTER_CMD, ICW1_INIT | ICW1_ICW4);
	pic_write(PIC_SLAVE_CMD, ICW1_INIT | ICW1_ICW4);
	pic_write(PIC_MASTER_DATA, master_vector); /* ICW2: vector base */
	pic_write(PIC_SLAVE_DATA, slave_vector);
	pic_write(PIC_MASTER_DATA, ICW3_MASTER_SLAVE_IR2);
	pic_write(PIC_SLAVE_DATA, ICW3_SLAVE_ID_2);
	pic_write(PIC_MASTER_DATA, ICW4_8086);
	pic_write(PIC_SLAVE_DATA, ICW4_8086);
	pic_write(PIC_MASTER_DATA, OCW1_MASK_ALL);
	pic_write(PIC_SLAVE_DATA, OCW1_MASK_ALL);
}
