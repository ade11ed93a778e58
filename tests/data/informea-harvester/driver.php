<?php
// Runs one migration of the InforMEA harvester (../shared/corpus/informea-harvester/, loaded
// unmodified) against a meabridge /informea.svc/ and prints, as JSON, what the portal would
// store: for every record its consumer returns, the row after the migration's prepareRow(),
// reduced to the source fields its constructor maps (addFieldMapping), plus whether the row is
// valid and what the migration logged.
//
// usage: php driver.php HARVESTER_DIR SERVICE_URL ODATA_NAME ENTITY PAGE_SIZE
//   ODATA_NAME picks the consumer class as ODataConsumerConfig does ('cbd': ODataConsumerV3,
//   'basel' Documents: ODataConsumerV4, any other: ODataConsumerV1).
// Part of meabridge's tests (tests/partner/informea_harvester_test.cc); stubs.php says where
// each stub's behaviour comes from.

error_reporting(E_ALL & ~E_DEPRECATED);
list(, $dir, $url, $odata_name, $entity, $page_size) = $argv;

require __DIR__ . '/stubs.php';
require $dir . '/ODataConsumerConfig.inc';
require $dir . '/odata/ODataConsumer.inc';
require $dir . '/odata/ODataConsumerV1.inc';
require $dir . '/odata/ODataConsumerV3.inc';
require $dir . '/odata/ODataConsumerV4.inc';
require $dir . '/migrations/AbstractODataMigration.inc';
$migrations = array(
  'Contacts' => 'ContactsODataMigration',
  'Meetings' => 'MeetingsODataMigration',
  'CountryReports' => 'CountryReportsODataMigration',
  'NationalPlans' => 'NationalPlansODataMigration',
  'Sites' => 'SitesODataMigration',
  'Decisions' => 'DecisionsODataMigration',
  'Documents' => 'DocumentsODataMigration',
);
$klass = $migrations[$entity];
require $dir . '/migrations/' . $klass . '.inc';

// The portal's settings page writes this variable: every endpoint of the source is meabridge.
$config = ODataConsumerConfig::getConfigurationDefault();
$config['odata_page_size'] = intval($page_size);
$config['endpoints'][$odata_name] = array('default' => $url);
$GLOBALS['harvester_config'] = $config;

$arguments = array(
  'machine_name' => 'odata_' . $odata_name . '_' . strtolower($entity),
  'config_class' => 'ODataConsumerConfig',
  'odata_name' => $odata_name,
  'odata_entity' => $entity,
);
/** @var AbstractODataMigration $migration */
$migration = new $klass($arguments);
$consumer = $migration->getSource()->getConsumer();

$out = array(
  'consumer' => get_class($consumer),
  'count' => $consumer->countTotal($entity),
  'records' => array(),
);
$GLOBALS['harvester_log'] = array();
$rows = $consumer->getPaginatedData($entity, 0, $migration);
$out['listing_log'] = $GLOBALS['harvester_log'];
$out['requests'] = $GLOBALS['harvester_requests'];
foreach ($rows as $id => $row) {
  $GLOBALS['harvester_log'] = array();
  $source = clone $row;
  $valid = $migration->prepareRow($row);
  $fields = array();
  foreach ($migration->sources() as $name) {
    $fields[$name] = property_exists($row, $name) ? $row->{$name} : NULL;
  }
  // Treaty nodes back to OData names (stubs.php: treaty_load_by_odata_name).
  if (isset($fields['treaty'])) {
    $fields['treaty'] = harvester_treaty_name($fields['treaty']);
  }
  if (isset($fields['treaties']) && is_array($fields['treaties'])) {
    $fields['treaties'] = array_values(array_map('harvester_treaty_name', $fields['treaties']));
  }
  $record = array(
    'key' => (string) $id,
    'valid' => $valid !== FALSE,
    'fields' => $fields,
    'log' => $GLOBALS['harvester_log'],
  );
  // What prepareRow() computes beside the mapped fields, and source values it replaces.
  foreach (array('roles', 'languages', 'summary') as $name) {
    if (property_exists($row, $name)) {
      $record['computed'][$name] = $row->{$name};
    }
  }
  if (property_exists($source, 'meetingId')) {
    $record['source']['meetingId'] = $source->meetingId;
  }
  $out['records'][] = $record;
}
print json_encode($out, JSON_PRETTY_PRINT | JSON_UNESCAPED_UNICODE | JSON_UNESCAPED_SLASHES) . "\n";
