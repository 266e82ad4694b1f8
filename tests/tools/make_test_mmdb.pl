#!/usr/bin/perl
# make_test_mmdb.pl DIR — write two small MaxMind DB files for the tests:
#   DIR/test-asn.mmdb   GeoLite2-ASN's fields (autonomous_system_number,
#                        autonomous_system_organization)
#   DIR/test-city.mmdb  GeoLite2-City's fields (country.iso_code,
#                        country.names.en, city.names.en)
# for the documentation ranges the sample captures use (RFC 5737, RFC 3849)
# and documentation AS numbers (RFC 5398).  No database ships with pcapcase;
# the tests make theirs with Debian's libmaxmind-db-writer-perl.
# remove_reserved_networks => 0 keeps the documentation ranges, which the
# writer drops by default.
use strict;
use warnings;
use utf8;
use MaxMind::DB::Writer::Tree;

my $dir = shift or die "usage: $0 DIR\n";

my %types = (
    autonomous_system_number       => 'uint32',
    autonomous_system_organization => 'utf8_string',
    city                           => 'map',
    country                        => 'map',
    names                          => 'map',
    en                             => 'utf8_string',
    iso_code                       => 'utf8_string',
    geoname_id                     => 'uint32',
);

# alias_ipv6_to_ipv4 as MaxMind's own databases are built: ::ffff:0:0/96 and
# 2002::/16 (6to4) lead to the IPv4 tree, so one search-tree node is reached
# from three places (geoip.c's tree walk must accept that).
sub tree {
    my ($type) = @_;
    return MaxMind::DB::Writer::Tree->new(
        alias_ipv6_to_ipv4       => 1,
        ip_version               => 6,
        record_size              => 24,
        database_type            => $type,
        languages                => ['en'],
        description              => { en => "pcapcase test database ($type)" },
        map_key_type_callback    => sub { $types{ $_[0] } },
        remove_reserved_networks => 0,
    );
}

sub write_db {
    my ($tree, $name) = @_;
    open my $fh, '>:raw', "$dir/$name" or die "$dir/$name: $!\n";
    $tree->write_tree($fh);
    close $fh or die "$dir/$name: $!\n";
}

my $asn = tree('pcapcase-Test-ASN');
my @as = (
    [ '203.0.113.0/25',  64500, 'Example Shop Hosting B.V.' ],
    [ '203.0.113.64/26', 64511, 'Bulletproof Lab Hosting Ltd' ],
    [ '198.51.100.0/24', 64496, 'Lab Resolver Networks GmbH' ],
    [ '2001:db8::/32',   64499, 'Documentation Six Net' ],
    # longer than geoip.h's GEOIP_TEXT_MAX in two-byte characters: cut at a
    # character boundary
    [ '192.0.2.0/24', 64497, 'Ü' x 100 ],
);
for my $a (@as) {
    $asn->insert_network($a->[0],
        { autonomous_system_number => $a->[1], autonomous_system_organization => $a->[2] });
}
write_db($asn, 'test-asn.mmdb');

my $city = tree('pcapcase-Test-City');
my @places = (
    [ '203.0.113.0/24',  'NL', 'Netherlands', 'Amsterdam' ],
    [ '203.0.113.64/26', 'SC', 'Seychelles',  'Victoria' ],
    [ '198.51.100.0/24', 'DE', 'Germany',     'Frankfurt am Main' ],
    [ '2001:db8::/32',   'JP', 'Japan',       'Tōkyō' ],
);
for my $p (@places) {
    $city->insert_network($p->[0], {
        country => { iso_code => $p->[1], names => { en => $p->[2] } },
        city    => { names => { en => $p->[3] } },
    });
}
write_db($city, 'test-city.mmdb');
