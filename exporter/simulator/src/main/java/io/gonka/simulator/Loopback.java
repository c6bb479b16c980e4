package io.gonka.simulator;

import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * Guards the simulator's network rule: it binds to, and points at, 127.0.0.0/8 only.
 * Addresses are parsed as literal octets, so no name lookup ever happens.
 */
final class Loopback {
    private Loopback() {
    }

    static String requireLoopback(String address) {
        inet(address);
        return address;
    }

    static InetAddress inet(String address) {
        String[] parts = address == null ? new String[0] : address.split("\\.", -1);
        if (parts.length != 4 || !"127".equals(parts[0])) {
            throw new IllegalArgumentException("not a 127.x.y.z loopback address: " + address);
        }
        byte[] bytes = new byte[4];
        for (int i = 0; i < 4; i++) {
            if (!parts[i].matches("\\d{1,3}") || Integer.parseInt(parts[i]) > 255) {
                throw new IllegalArgumentException("not a 127.x.y.z loopback address: " + address);
            }
            bytes[i] = (byte) Integer.parseInt(parts[i]);
        }
        try {
            return InetAddress.getByAddress(bytes);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(e);
        }
    }
}
