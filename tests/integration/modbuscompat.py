"""modbuscompat.py — the names the bus tests need from pymodbus, whichever
version this is: 3.0 (Debian 12) and 3.8 (Debian 13) differ. 3.8 has
FramerType.RTU where 3.0 had transaction.ModbusRtuFramer, and its unit
contexts always add 1 to a register address (3.0's zero_mode=True did not),
so there a unit's blocks start at address 1 (BASE) for register 0 to be the
block's first value. 3.10 renames the unit context "device"."""
from pymodbus.datastore import ModbusServerContext

try:
    from pymodbus.framer import FramerType
    RTU_FRAMER = FramerType.RTU
    ZERO_BASED = False
except ImportError:
    from pymodbus.transaction import ModbusRtuFramer as RTU_FRAMER
    ZERO_BASED = True
try:
    from pymodbus.datastore import ModbusDeviceContext as UnitContext
except ImportError:
    from pymodbus.datastore import ModbusSlaveContext as UnitContext

# Address of a block's first value (register 0 as the kiosk reads it).
BASE = 0 if ZERO_BASED else 1


def unit_context(ir_block, hr_block):
    """A unit with input and holding register blocks made at BASE."""
    if ZERO_BASED:
        return UnitContext(ir=ir_block, hr=hr_block, zero_mode=True)
    return UnitContext(ir=ir_block, hr=hr_block)


def server_context(units):
    """The server's table of units by address (slaves= before 3.10)."""
    try:
        return ModbusServerContext(slaves=units, single=False)
    except TypeError:
        return ModbusServerContext(devices=units, single=False)
