from scapy.all import sniff

sniff(prn=print, count=10)
